// Numbers and JSON fields read without exceptions (base/parse_number.hpp,
// base/json.hpp): bad input gives nullopt or the fallback, never a throw.
#include <gtest/gtest.h>

#include <cstdint>

#include "base/json.hpp"
#include "base/parse_number.hpp"

namespace kiste {
namespace {

TEST(BaseParseNumber, WholeTextInRange) {
    EXPECT_EQ(parse_number<int>("42"), 42);
    EXPECT_EQ(parse_number<int>("-7"), -7);
    EXPECT_EQ(parse_number<uint64_t>("18446744073709551615"), UINT64_MAX);
    EXPECT_FALSE(parse_number<uint64_t>("18446744073709551616"));  // std::stoull would throw
    EXPECT_FALSE(parse_number<int>("99999999999"));                // std::stoi would throw
    EXPECT_FALSE(parse_number<unsigned>("-1"));
    EXPECT_FALSE(parse_number<int>(""));
    EXPECT_FALSE(parse_number<int>("12x"));
    EXPECT_FALSE(parse_number<int>(" 12"));
    EXPECT_FALSE(parse_number<int>("+12"));
}

TEST(BaseParseNumber, TrimmedForProcFiles) {
    EXPECT_EQ(parse_number_trimmed<int>("\t1\n"), 1);
    EXPECT_EQ(parse_number_trimmed<uint8_t>(" 24 "), 24);
    EXPECT_FALSE(parse_number_trimmed<uint8_t>("256"));
    EXPECT_FALSE(parse_number_trimmed<int>(" \n"));
    EXPECT_FALSE(parse_number_trimmed<int>("1 2"));
}

TEST(BaseJson, FieldsOfTheWrongTypeReadAsMissing) {
    const auto j = nlohmann::json::parse(
        R"({"pid": 42, "big": 5000000000, "neg": -3, "name": "c1", "flag": true,
            "list": ["a", "b"], "mixed": ["a", 1], "pidtext": "42"})",
        nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(json_field(j, "pid", 0), 42);
    EXPECT_EQ(json_field(j, "pidtext", 0), 0);  // value() would throw
    EXPECT_EQ(json_field(j, "big", int32_t{-1}), -1);
    EXPECT_EQ(json_field(j, "big", int64_t{-1}), 5000000000);
    EXPECT_EQ(json_field(j, "neg", uint64_t{7}), 7u);
    EXPECT_EQ(json_field(j, "name", "x"), "c1");
    EXPECT_EQ(json_field(j, "pid", "x"), "x");
    EXPECT_EQ(json_field(j, "flag", false), true);
    EXPECT_EQ(json_field(j, "pid", false), false);
    EXPECT_EQ(json_field(j, "list", std::vector<std::string>{}),
              (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(json_field(j, "mixed", std::vector<std::string>{}).empty());
    EXPECT_EQ(json_field(j, "absent", 5), 5);
    EXPECT_EQ(json_field(nlohmann::json::array(), "pid", 5), 5);  // not an object
}

TEST(BaseJson, TextOfInvalidUtf8DoesNotThrow) {
    nlohmann::json j = {{"path", std::string("/tmp/\xff\xfe")}};
    const std::string text = json_text(j);
    EXPECT_NE(text.find("/tmp/"), std::string::npos);
    EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_object());
}

}  // namespace
}  // namespace kiste
