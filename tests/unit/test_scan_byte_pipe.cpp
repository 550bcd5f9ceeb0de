#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "scan/byte_pipe.hpp"

using regscan::scan::BytePipe;

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::byte_pipe without a batch hands over each push as it came") {
    BytePipe pipe(1024);
    REQUIRE(pipe.push("ab", 2));
    REQUIRE(pipe.push("cde", 3));
    pipe.close();
    CHECK(*pipe.pop() == "ab");
    CHECK(*pipe.pop() == "cde");
    CHECK_FALSE(pipe.pop());
    CHECK(pipe.error().empty());
}

TEST_CASE("scan::byte_pipe with a batch gathers pushes into chunks of at least the batch, the rest at close") {
    BytePipe pipe(1024, 4);
    for (const char* piece : {"ab", "cd", "e", "fgh", "i"}) REQUIRE(pipe.push(piece, std::string(piece).size()));
    pipe.close();
    CHECK(*pipe.pop() == "abcd");
    CHECK(*pipe.pop() == "efgh");
    CHECK(*pipe.pop() == "i");
    CHECK_FALSE(pipe.pop());
}

TEST_CASE("scan::byte_pipe with a batch larger than its capacity still moves every byte, in order") {
    // A producer blocked on a full pipe must not wait for a consumer that
    // waits for a whole batch.
    BytePipe pipe(8, 1024);
    std::string sent;
    for (int i = 0; i < 1000; ++i) sent += static_cast<char>('a' + i % 26);
    std::thread producer([&] {
        for (size_t i = 0; i < sent.size(); i += 3)
            if (!pipe.push(sent.data() + i, std::min<size_t>(3, sent.size() - i))) break;
        pipe.close();
    });
    std::string received;
    while (auto chunk = pipe.pop()) received += *chunk;
    producer.join();
    CHECK(received == sent);
}

TEST_CASE("scan::byte_pipe abort stops a producer blocked on a full pipe, and a failed close is reported") {
    BytePipe pipe(4, 2);
    bool last_push = true;
    std::thread producer([&] {
        while ((last_push = pipe.push("xyz", 3))) {
        }
        pipe.close("transfer failed");
    });
    CHECK(pipe.pop());
    pipe.abort();
    producer.join();
    CHECK_FALSE(last_push);
    CHECK(pipe.error() == "transfer failed");
}

TEST_SUITE_END();
