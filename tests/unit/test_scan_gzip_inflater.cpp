#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <zlib.h>

#include "scan/byte_pipe.hpp"
#include "scan/gzip_inflater.hpp"
#include "scan/layer_decompressor.hpp"
#include "util/crypto.hpp"

using namespace regscan::scan;

namespace {

std::string raw_deflate(const std::string& data, int level = 6) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, data.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

void put32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

struct Header {
    std::string extra;    // FEXTRA payload (subfields), empty: no FEXTRA
    std::string name;     // FNAME, empty: none
    std::string comment;  // FCOMMENT, empty: none
    bool hcrc = false;    // FHCRC
};

// One gzip member written by hand, so every header field can be set.
std::string gzip_member(const std::string& data, const Header& h = {}, int level = 6) {
    std::string out = {'\x1f', '\x8b', '\x08'};
    char flags = 0;
    if (h.hcrc) flags |= 0x02;
    if (!h.extra.empty()) flags |= 0x04;
    if (!h.name.empty()) flags |= 0x08;
    if (!h.comment.empty()) flags |= 0x10;
    out.push_back(flags);
    put32(out, 1700000000);  // MTIME
    out.push_back('\0');     // XFL
    out.push_back('\x03');   // OS: Unix
    if (!h.extra.empty()) {
        out.push_back(static_cast<char>(h.extra.size() & 0xff));
        out.push_back(static_cast<char>(h.extra.size() >> 8));
        out += h.extra;
    }
    if (!h.name.empty()) out += h.name + '\0';
    if (!h.comment.empty()) out += h.comment + '\0';
    if (h.hcrc) {
        uLong crc = crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
        out.push_back(static_cast<char>(crc & 0xff));
        out.push_back(static_cast<char>((crc >> 8) & 0xff));
    }
    out += raw_deflate(data, level);
    put32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()))));
    put32(out, static_cast<uint32_t>(data.size()));
    return out;
}

// Compressible bytes (text-like, about 3:1) or incompressible ones.
std::string sample(size_t size, uint32_t seed, bool compressible = true) {
    std::mt19937 rng(seed);
    std::string out(size, '\0');
    const std::string words[] = {"package ", "version ", "usr/share/", "lib", ".so.6 ", "Depends: ", "\n", "amd64 "};
    size_t i = 0;
    while (i < size) {
        if (compressible) {
            const auto& w = words[rng() % 8];
            for (char c : w) {
                if (i == size) break;
                out[i++] = c;
            }
            if (i < size && rng() % 3 == 0) out[i++] = static_cast<char>('a' + rng() % 26);
        } else {
            out[i++] = static_cast<char>(rng() & 0xff);
        }
    }
    return out;
}

struct Inflated {
    std::string data;
    bool complete = false;  // the stream may end where it ended
    size_t fallbacks = 0;
    size_t members = 0;
};

// Feeds `stream` in chunks of `chunk` bytes, as the pipe would.
Inflated inflate_all(const std::string& stream, size_t chunk, GzipInflater::Engine engine) {
    GzipInflater gz(engine);
    Inflated result;
    std::vector<char> out(64 * 1024);
    size_t offset = 0;
    while (true) {
        size_t n = gz.inflate(out);
        if (n > 0) {
            result.data.append(out.data(), n);
            continue;
        }
        if (offset == stream.size()) break;
        size_t take = std::min(chunk, stream.size() - offset);
        gz.give(stream.substr(offset, take));
        offset += take;
    }
    result.complete = gz.at_boundary();
    result.fallbacks = gz.zlib_fallbacks();
    result.members = gz.members();
    return result;
}

const std::vector<size_t> chunk_sizes = {1, 2, 3, 7, 13, 509, 4096, 65536, 1 << 24};
const std::vector<GzipInflater::Engine> engines = {GzipInflater::Engine::isal, GzipInflater::Engine::zlib};

std::string engine_name(GzipInflater::Engine e) { return e == GzipInflater::Engine::isal ? "isal" : "zlib"; }

// Through the real pipe and LayerDecompressor, as a layer is read.
std::pair<std::string, std::string> through_decompressor(const std::string& stream, size_t chunk) {
    BytePipe pipe(256 * 1024);
    std::thread producer([&] {
        for (size_t i = 0; i < stream.size(); i += chunk)
            if (!pipe.push(stream.data() + i, std::min(chunk, stream.size() - i))) break;
        pipe.close();
    });
    std::string out;
    try {
        LayerDecompressor d(pipe);
        while (true) {
            auto piece = d.next();
            if (piece.empty()) break;
            out.append(piece);
        }
        producer.join();
        return {out, d.diff_id()};
    } catch (...) {
        pipe.abort();
        producer.join();
        throw;
    }
}

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::gzip_inflater is built with ISA-L here") {
    // The build links ISA-L when libisal-dev is installed (scripts/install-deps.sh).
    CHECK(GzipInflater::isal_built_in());
    GzipInflater gz;
    CHECK(gz.engine() == GzipInflater::Engine::isal);
}

TEST_CASE("scan::gzip_inflater ISA-L and zlib give the same bytes on random data") {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
        bool compressible = seed % 2 == 1;
        std::string data = sample(200000 + seed * 77777, seed, compressible);
        for (int level : {1, 6, 9}) {
            std::string stream = gzip_member(data, {}, level);
            auto isal = inflate_all(stream, 4096 + seed, GzipInflater::Engine::isal);
            auto zlib = inflate_all(stream, 4096 + seed, GzipInflater::Engine::zlib);
            CAPTURE(seed);
            CAPTURE(level);
            CHECK(isal.complete);
            CHECK(zlib.complete);
            CHECK(isal.fallbacks == 0);
            CHECK(isal.data == data);
            CHECK(zlib.data == isal.data);
        }
    }
}

TEST_CASE("scan::gzip_inflater multi-member stream, every chunking") {
    std::vector<std::string> parts = {sample(100000, 11), sample(1, 12), sample(70000, 13, false), std::string(),
                                      sample(5000, 14)};
    std::string stream, expected;
    for (const auto& p : parts) {
        stream += gzip_member(p);
        expected += p;
    }
    for (auto engine : engines) {
        for (size_t chunk : chunk_sizes) {
            CAPTURE(engine_name(engine));
            CAPTURE(chunk);
            auto r = inflate_all(stream, chunk, engine);
            CHECK(r.complete);
            CHECK(r.members == parts.size());
            CHECK(r.fallbacks == 0);
            CHECK(r.data == expected);
        }
    }
}

TEST_CASE("scan::gzip_inflater header extras FEXTRA FNAME FCOMMENT FHCRC") {
    std::string data = sample(150000, 21);
    std::vector<Header> headers = {
        {std::string("RS\x04\x00" "abcd", 8), "", "", false},
        {"", "layer.tar", "", false},
        {"", "", "built by regscan's tests", false},
        {"", "", "", true},
        {std::string("AB\x02\x00xy" "CD\x00\x00", 10), "a-rather-long-name.tar", "a comment", true},
    };
    std::string all, expected;
    for (const auto& h : headers) {
        std::string member = gzip_member(data, h);
        all += member;
        expected += data;
        for (auto engine : engines) {
            for (size_t chunk : {size_t{1}, size_t{5}, size_t{4096}}) {
                CAPTURE(engine_name(engine));
                CAPTURE(chunk);
                CAPTURE(h.name);
                auto r = inflate_all(member, chunk, engine);
                CHECK(r.complete);
                CHECK(r.data == data);
                // A header in one piece is ISA-L's; see the FHCRC case below.
                if (chunk == 4096) CHECK(r.fallbacks == 0);
            }
        }
    }
    for (auto engine : engines) {
        auto r = inflate_all(all, 3, engine);
        CHECK(r.complete);
        CHECK(r.members == headers.size());
        CHECK(r.data == expected);
    }
}

TEST_CASE("scan::gzip_inflater zlib takes over a member ISA-L refuses") {
    // ISA-L 2.30 refuses a correct FHCRC when the header arrives a few bytes
    // at a time (it checks the CRC of the last piece only): zlib inflates
    // that member from its kept start, and the next member is ISA-L's again.
    std::string first = sample(120000, 91), second = sample(90000, 92);
    std::string stream = gzip_member(first, {"", "n", "c", true}) + gzip_member(second);
    auto whole = inflate_all(stream, 1 << 20, GzipInflater::Engine::isal);
    CHECK(whole.fallbacks == 0);
    CHECK(whole.data == first + second);
    auto pieces = inflate_all(stream, 1, GzipInflater::Engine::isal);
    CHECK(pieces.complete);
    CHECK(pieces.members == 2);
    CHECK(pieces.fallbacks == 1);
    CHECK(pieces.data == first + second);
}

TEST_CASE("scan::gzip_inflater a wrong header CRC is refused") {
    std::string member = gzip_member(sample(1000, 31), {"", "name", "", true});
    size_t hcrc_at = 10 + 5;  // fixed header, "name\0"
    member[hcrc_at] = static_cast<char>(member[hcrc_at] ^ 0x55);
    for (auto engine : engines) {
        CAPTURE(engine_name(engine));
        CHECK_THROWS_WITH_AS(inflate_all(member, 4096, engine), doctest::Contains("gzip stream is corrupt"),
                             std::runtime_error);
    }
}

TEST_CASE("scan::gzip_inflater corrupt deflate data, CRC and ISIZE are refused") {
    std::string data = sample(300000, 41);
    std::string good = gzip_member(data);
    struct Damage {
        const char* what;
        size_t at;
    };
    std::vector<Damage> damages = {{"deflate data", good.size() / 2},
                                   {"deflate data near the start", 12},
                                   {"CRC-32", good.size() - 6},
                                   {"ISIZE", good.size() - 2}};
    for (const auto& d : damages) {
        std::string bad = good;
        bad[d.at] = static_cast<char>(bad[d.at] ^ 0xff);
        for (auto engine : engines) {
            CAPTURE(d.what);
            CAPTURE(engine_name(engine));
            bool refused = false;
            try {
                auto r = inflate_all(bad, 8192, engine);
                // A flipped byte in deflate data may also end it early or late:
                // then it is incomplete or its output differs and the CRC fails.
                refused = !r.complete || r.data != data;
                CHECK_FALSE(r.data == data);
                CHECK_FALSE(r.complete);
            } catch (const std::runtime_error& e) {
                refused = true;
                CHECK(std::string(e.what()).find("gzip stream is corrupt") == 0);
            }
            CHECK(refused);
        }
    }
}

TEST_CASE("scan::gzip_inflater a truncated stream is not complete") {
    std::string data = sample(200000, 51);
    std::string stream = gzip_member(data) + gzip_member(data);
    for (size_t cut : {size_t{5}, size_t{100}, stream.size() / 4, stream.size() / 2 - 3, stream.size() - 1,
                       stream.size() - 8}) {
        for (auto engine : engines) {
            CAPTURE(cut);
            CAPTURE(engine_name(engine));
            auto r = inflate_all(stream.substr(0, cut), 4096, engine);
            CHECK_FALSE(r.complete);
        }
    }
}

TEST_CASE("scan::gzip_inflater padding after the last member is not part of the layer") {
    std::string data = sample(10000, 61);
    std::string stream = gzip_member(data) + std::string(1024, '\0');
    for (auto engine : engines) {
        auto r = inflate_all(stream, 100, engine);
        CHECK(r.complete);
        CHECK(r.data == data);
    }
}

TEST_CASE("scan::layer_decompressor multi-member gzip with extras: same bytes and diff_id as plain") {
    std::string data = sample(600000, 71);
    std::string stream = gzip_member(data.substr(0, 250000), {"EX\x01\x00z", "a", "", true}) +
                         gzip_member(data.substr(250000, 1)) + gzip_member(data.substr(250001));
    for (size_t chunk : {size_t{1000}, size_t{65536}}) {
        auto [out, diff_id] = through_decompressor(stream, chunk);
        CHECK(out == data);
        CHECK(diff_id == "sha256:" + regscan::util::sha256_hex(data));
    }
}

TEST_CASE("scan::layer_decompressor truncated and corrupt gzip fail with a reason") {
    std::string data = sample(400000, 81);
    std::string stream = gzip_member(data);
    CHECK_THROWS_WITH_AS(through_decompressor(stream.substr(0, stream.size() / 2), 4096),
                         "gzip stream is cut short", std::runtime_error);
    std::string bad = stream;
    bad[bad.size() - 5] = static_cast<char>(bad[bad.size() - 5] ^ 0x01);  // CRC-32
    CHECK_THROWS_WITH_AS(through_decompressor(bad, 4096), doctest::Contains("gzip stream is corrupt"),
                         std::runtime_error);
}

TEST_SUITE_END();
