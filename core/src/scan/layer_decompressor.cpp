#include "scan/layer_decompressor.hpp"

#include <stdexcept>

#include <zstd.h>

#include "scan/gzip_inflater.hpp"

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
    std::unique_ptr<GzipInflater> gzip;
    ZSTD_DStream* zstd = nullptr;
    // True between two compressed streams (gzip members, zstd frames): the
    // input may end here without being cut short.
    bool at_boundary = true;

    ~Codec() {
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
            c.gzip = std::make_unique<GzipInflater>();
            c.gzip->give(std::move(input_));
            input_.clear();
            input_used_ = 0;
        } else if (c.kind == Kind::zstd) {
            c.zstd = ZSTD_createDStream();
            if (!c.zstd) throw std::runtime_error("cannot start zstd decompression");
        }
    }
    output_.resize(output_size);
    if (c.kind == Kind::gzip) return next_gzip();
    while (true) {
        if (input_used_ == input_.size() && !fill_input()) {
            if (!pipe_.error().empty()) throw std::runtime_error(pipe_.error());
            if (!c.at_boundary) throw std::runtime_error("zstd stream is cut short");
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
        {
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

// gzip goes through GzipInflater (ISA-L, zlib where ISA-L refuses), which
// owns the compressed chunks: ISA-L reads ahead and may give bytes back.
std::string_view LayerDecompressor::next_gzip() {
    auto& gzip = *codec_->gzip;
    while (true) {
        size_t produced = gzip.inflate(std::span<char>(output_.data(), output_size));
        if (produced > 0) {
            sha_.update(output_.data(), produced);
            return std::string_view(output_.data(), produced);
        }
        auto chunk = pipe_.pop();
        if (!chunk) {
            if (!pipe_.error().empty()) throw std::runtime_error(pipe_.error());
            if (!gzip.at_boundary()) throw std::runtime_error("gzip stream is cut short");
            finished_ = true;
            diff_id_ = "sha256:" + sha_.hex_digest();
            return {};
        }
        gzip.give(std::move(*chunk));
    }
}

}  // namespace regscan::scan
