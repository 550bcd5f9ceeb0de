#include <doctest/doctest.h>

#include <string>

#include "util/json_shape.hpp"

using regscan::util::json_shape_problem;

TEST_SUITE_BEGIN("util");

TEST_CASE("json_shape_problem: nesting and value count bounded, strings skipped") {
    CHECK_FALSE(json_shape_problem(R"({"a": [1, 2, {"b": "c"}]})", {3, 10}));
    auto deep = json_shape_problem("[[[[]]]]", {3, 100});
    REQUIRE(deep);
    CHECK(deep->offset == 3);
    CHECK(deep->why == "nested deeper than 3 levels");
    auto many = json_shape_problem("[0,1,2,3]", {8, 3});
    REQUIRE(many);
    CHECK(many->offset == 4);  // the document, the array, and a value after each comma
    CHECK(many->why == "more than 3 JSON values");
    // Brackets and commas inside strings, escaped quotes included, are text.
    CHECK_FALSE(json_shape_problem(R"(["[[[[,,,,\"[[[[,,,,"])", {1, 2}));
    // Closing more than was opened never underflows.
    CHECK_FALSE(json_shape_problem("]]]}}[", {1, 10}));
}

TEST_SUITE_END();
