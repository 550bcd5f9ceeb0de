#include <doctest/doctest.h>

#include "filter/pattern_filter.hpp"

using regscan::filter::normalise_pattern;
using regscan::filter::PatternFilter;
using regscan::filter::split_patterns;
using regscan::filter::wildcard_match;

TEST_SUITE_BEGIN("filter");

TEST_CASE("filter::wildcard_match star matches any run including slashes") {
    CHECK(wildcard_match("*", ""));
    CHECK(wildcard_match("*", "a/b/c:1"));
    CHECK(wildcard_match("a*c", "abc"));
    CHECK(wildcard_match("a*c", "a/b/c"));
    CHECK(wildcard_match("*/foo:bar", "x/y/foo:bar"));
    CHECK_FALSE(wildcard_match("*/foo:bar", "foo:bar"));
    CHECK_FALSE(wildcard_match("*/foo:bar", "x/xfoo:bar"));
    CHECK_FALSE(wildcard_match("foo", "foobar"));
    CHECK_FALSE(wildcard_match("foo", "xfoo"));
    CHECK(wildcard_match("a**b", "ab"));
    CHECK(wildcard_match("v1.2.*", "v1.2.3"));
    CHECK_FALSE(wildcard_match("v1.2.*", "v1x2.3"));  // dots are literal
}

TEST_CASE("filter::normalise_pattern adds :* only when there is no tag part") {
    CHECK(normalise_pattern("foo") == "foo:*");
    CHECK(normalise_pattern("team/*") == "team/*:*");
    CHECK(normalise_pattern("foo:*") == "foo:*");
    CHECK(normalise_pattern("*:bar") == "*:bar");
    CHECK(normalise_pattern("reg:5000/app") == "reg:5000/app:*");
    CHECK(normalise_pattern("reg:5000/app:1.0") == "reg:5000/app:1.0");
}

TEST_CASE("filter::split_patterns splits commas across repeated arguments") {
    CHECK(split_patterns({"a, b", "c", ",,d,"}) == std::vector<std::string>{"a", "b", "c", "d"});
}

namespace {
bool kept(const PatternFilter& f, const std::string& repo, const std::string& tag) {
    return !f.skip_reason({"reg.example:5000", repo, tag, ""});
}
}  // namespace

TEST_CASE("filter::PatternFilter examples from the issue") {
    PatternFilter all({"*"}, {});
    CHECK(kept(all, "a/b", "1"));

    PatternFilter foo_any({"foo:*"}, {});
    CHECK(kept(foo_any, "foo", "1"));
    CHECK_FALSE(kept(foo_any, "foo/bar", "1"));
    CHECK_FALSE(kept(foo_any, "xfoo", "1"));

    PatternFilter foo({"foo"}, {});
    CHECK(kept(foo, "foo", "latest"));
    CHECK_FALSE(kept(foo, "foobar", "latest"));

    PatternFilter tag_bar({"*:bar"}, {});
    CHECK(kept(tag_bar, "x/y", "bar"));
    CHECK_FALSE(kept(tag_bar, "x/y", "barx"));

    PatternFilter ends_foo({"*/foo:bar"}, {});
    CHECK(kept(ends_foo, "team/foo", "bar"));
    CHECK(kept(ends_foo, "a/b/foo", "bar"));
    CHECK_FALSE(kept(ends_foo, "foo", "bar"));
    CHECK_FALSE(kept(ends_foo, "team/foo", "baz"));

    PatternFilter middle({"foo/*/bar:baz"}, {});
    CHECK(kept(middle, "foo/x/bar", "baz"));
    CHECK(kept(middle, "foo/x/y/bar", "baz"));
    CHECK_FALSE(kept(middle, "foo/bar", "baz"));

    PatternFilter segment({"*/foo/*:*"}, {});
    CHECK(kept(segment, "a/foo/b", "1"));
    CHECK_FALSE(kept(segment, "foo/b", "1"));
    CHECK_FALSE(kept(segment, "a/foo", "1"));
}

TEST_CASE("filter::PatternFilter deny wins and reasons say which rule") {
    PatternFilter f({"team/*"}, {"team/secret"});
    CHECK(kept(f, "team/app", "1"));
    auto denied = f.skip_reason({"reg", "team/secret", "1", ""});
    REQUIRE(denied);
    CHECK(*denied == "matches denyList pattern 'team/secret:*'");
    auto not_allowed = f.skip_reason({"reg", "other/app", "1", ""});
    REQUIRE(not_allowed);
    CHECK(*not_allowed == "matches no allowList pattern");
}

TEST_CASE("filter::PatternFilter accepts patterns naming the registry host with a port") {
    PatternFilter f({"reg.example:5000/team/*"}, {});
    CHECK(kept(f, "team/app", "1.0"));
    CHECK_FALSE(kept(f, "other/app", "1.0"));
}

TEST_SUITE_END();
