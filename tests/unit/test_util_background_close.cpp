#include <doctest/doctest.h>
#include <unistd.h>

#include "util/background_close.hpp"

using regscan::util::close_in_background;

TEST_CASE("close_in_background closes the descriptor on another thread") {
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    close_in_background(ends[1]);
    // The read blocks until the write end is closed, then sees the end of
    // the pipe: the close happened, with no sleep to wait for it.
    char byte = 0;
    CHECK(::read(ends[0], &byte, 1) == 0);
    ::close(ends[0]);
}

TEST_CASE("close_in_background ignores a negative descriptor") {
    close_in_background(-1);  // must neither throw nor close anything
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    CHECK(::write(ends[1], "x", 1) == 1);
    ::close(ends[0]);
    ::close(ends[1]);
}
