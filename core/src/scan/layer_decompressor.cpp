#include "scan/layer_decompressor.hpp"

#include <stdexcept>

#include <zlib.h>
#include <zstd.h>

namespace regscan::scan {
namespace {

// Large enough that libarchive parses big runs at once, small enough to
// stay in cache.
constexpr size_t output_size = 256 * 1024;

enum class Kind { plain, gzip, zstd };

Kind kind_of(std::string_view head) {
    if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b)
        return Kind::gzip;
    if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) return Kind::zstd;
    return Kind::plain;
}

}  // namespace

struct LayerDecompressor::Codec {
    Kind kind = Kind::plain;
    z_stream zlib{};
    bool zlib_open = false;
    ZSTD_DStream* zstd = nullptr;
    // True between two compressed streams (gzip members, zstd frames): the
    // input may end here without being cut short.
    bool at_boundary = true;

    ~Codec() {
        if (zlib_open) inflateEnd(&zlib);
        if (zstd) ZSTD_freeDStream(zstd);
    }
};

LayerDecompressor::LayerDecompressor(BytePipe& pipe) : pipe_(pipe), codec_(std::make_unique<Codec>()) {}

LayerDecompressor::~LayerDecompressor() = default;

bool LayerDecompressor::fill_input() {
    auto chunk = pipe_.pop();
    if (!chunk) return false;
    input_ = std::move(*chunk);
    input_used_ = 0;
    return true;
}

std::string_view LayerDecompressor::next() {
    if (finished_) return {};
    auto& c = *codec_;
    if (!started_) {
        started_ = true;
        // Enough bytes to recognise the format (a chunk may be tiny).
        std::string head;
        while (head.size() < 4 && fill_input()) head += input_;
        input_ = std::move(head);
        input_used_ = 0;
        c.kind = kind_of(input_);
        if (c.kind == Kind::gzip) {
            if (inflateInit2(&c.zlib, 15 + 16) != Z_OK) throw std::runtime_error("cannot start gzip decompression");
            c.zlib_open = true;
        } else if (c.kind == Kind::zstd) {
            c.zstd = ZSTD_createDStream();
            if (!c.zstd) throw std::runtime_error("cannot start zstd decompression");
        }
    }
    output_.resize(output_size);
    while (true) {
        if (input_used_ == input_.size() && !fill_input()) {
            if (!pipe_.error().empty()) throw std::runtime_error(pipe_.error());
            if (!c.at_boundary)
                throw std::runtime_error(std::string(c.kind == Kind::gzip ? "gzip" : "zstd") +
                                         " stream is cut short");
            finished_ = true;
            diff_id_ = "sha256:" + sha_.hex_digest();
            return {};
        }
        size_t produced = 0;
        if (c.kind == Kind::plain) {
            std::string_view rest(input_.data() + input_used_, input_.size() - input_used_);
            input_used_ = input_.size();
            sha_.update(rest.data(), rest.size());
            return rest;
        }
        if (c.kind == Kind::gzip) {
            if (c.at_boundary) {
                // Another gzip member may follow; anything else after the
                // last one (padding) is not part of the layer.
                if (kind_of(std::string_view(input_).substr(input_used_)) != Kind::gzip &&
                    input_.size() - input_used_ >= 2) {
                    input_used_ = input_.size();
                    continue;
                }
                inflateReset(&c.zlib);
                c.at_boundary = false;
            }
            c.zlib.next_in = reinterpret_cast<Bytef*>(input_.data() + input_used_);
            c.zlib.avail_in = static_cast<uInt>(input_.size() - input_used_);
            c.zlib.next_out = reinterpret_cast<Bytef*>(output_.data());
            c.zlib.avail_out = static_cast<uInt>(output_size);
            int status = inflate(&c.zlib, Z_NO_FLUSH);
            if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
                throw std::runtime_error(std::string("gzip stream is corrupt: ") +
                                         (c.zlib.msg ? c.zlib.msg : "inflate failed"));
            input_used_ = input_.size() - c.zlib.avail_in;
            produced = output_size - c.zlib.avail_out;
            if (status == Z_STREAM_END) c.at_boundary = true;
        } else {
            ZSTD_inBuffer in{input_.data() + input_used_, input_.size() - input_used_, 0};
            ZSTD_outBuffer out{output_.data(), output_size, 0};
            size_t status = ZSTD_decompressStream(c.zstd, &out, &in);
            if (ZSTD_isError(status))
                throw std::runtime_error(std::string("zstd stream is corrupt: ") + ZSTD_getErrorName(status));
            input_used_ += in.pos;
            produced = out.pos;
            c.at_boundary = status == 0;
        }
        if (produced > 0) {
            sha_.update(output_.data(), produced);
            return std::string_view(output_.data(), produced);
        }
    }
}

}  // namespace regscan::scan
