#include "scan/layer_decompressor.hpp"

#include <bit>
#include <stdexcept>

#include <lzma.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "limits/limits.hpp"
#include "scan/gzip_inflater.hpp"

namespace regscan::scan {
namespace {

// Large enough that libarchive parses big runs at once, small enough to
// stay in cache.
constexpr size_t output_size = 256 * 1024;

enum class Kind { plain, gzip, zstd, xz };

// Enough of a stream's first bytes to tell its kind.
constexpr size_t magic_size = 6;

Kind kind_of(std::string_view head) {
    if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b)
        return Kind::gzip;
    if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) return Kind::zstd;
    if (head.size() >= 6 && head.substr(0, 6) == std::string_view("\xfd" "7zXZ\0", 6)) return Kind::xz;
    return Kind::plain;
}

std::string decoder_memory_bound() {
    return std::to_string(limits::max_layer_decoder_memory / limits::MiB) + " MiB (regscan's bound)";
}

std::string xz_problem(lzma_ret status) {
    switch (status) {
        case LZMA_MEMLIMIT_ERROR: return "xz stream needs more memory to decode than " + decoder_memory_bound();
        case LZMA_BUF_ERROR: return "xz stream is cut short";
        case LZMA_MEM_ERROR: return "xz decompression ran out of memory";
        default: return "xz stream is corrupt (liblzma error " + std::to_string(status) + ")";
    }
}

}  // namespace

struct LayerDecompressor::Codec {
    Kind kind = Kind::plain;
    std::unique_ptr<GzipInflater> gzip;
    ZSTD_DStream* zstd = nullptr;
    lzma_stream xz = LZMA_STREAM_INIT;
    bool xz_input_ended = false;
    // True between two compressed streams (gzip members, zstd frames): the
    // input may end here without being cut short.
    bool at_boundary = true;

    ~Codec() {
        if (zstd) ZSTD_freeDStream(zstd);
        lzma_end(&xz);
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

void LayerDecompressor::start() {
    if (started_) return;
    started_ = true;
    auto& c = *codec_;
    // Enough bytes to recognise the format (a chunk may be tiny).
    std::string head;
    while (head.size() < magic_size && fill_input()) head += input_;
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
        if (!c.zstd ||
            ZSTD_isError(ZSTD_DCtx_setParameter(c.zstd, ZSTD_d_windowLogMax,
                                                std::bit_width(limits::max_layer_decoder_memory) - 1)))
            throw std::runtime_error("cannot start zstd decompression");
    } else if (c.kind == Kind::xz) {
        // Concatenated streams and stream padding, as xz itself reads them.
        if (lzma_stream_decoder(&c.xz, limits::max_layer_decoder_memory, LZMA_CONCATENATED) != LZMA_OK)
            throw std::runtime_error("cannot start xz decompression");
    }
}

std::string_view LayerDecompressor::next() {
    if (finished_) return {};
    auto& c = *codec_;
    start();
    output_.resize(output_size);
    if (c.kind == Kind::gzip) return next_gzip();
    if (c.kind == Kind::xz) return next_xz();
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
            // A piece at a time, as the decoders give it: what libarchive
            // pulls for a header is counted against a bound.
            std::string_view rest(input_.data() + input_used_, std::min(input_.size() - input_used_, output_size));
            input_used_ += rest.size();
            sha_.update(rest.data(), rest.size());
            return rest;
        }
        {
            ZSTD_inBuffer in{input_.data() + input_used_, input_.size() - input_used_, 0};
            ZSTD_outBuffer out{output_.data(), output_size, 0};
            size_t status = ZSTD_decompressStream(c.zstd, &out, &in);
            if (ZSTD_getErrorCode(status) == ZSTD_error_frameParameter_windowTooLarge)
                throw std::runtime_error("zstd stream needs a window larger than " + decoder_memory_bound());
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

// xz through liblzma, bounded in memory: libarchive would let the stream's
// header choose its dictionary, up to 4 GiB.
std::string_view LayerDecompressor::next_xz() {
    auto& c = *codec_;
    while (true) {
        while (input_used_ == input_.size() && !c.xz_input_ended)
            if (!fill_input()) {
                if (!pipe_.error().empty()) throw std::runtime_error(pipe_.error());
                c.xz_input_ended = true;
            }
        c.xz.next_in = reinterpret_cast<const uint8_t*>(input_.data()) + input_used_;
        c.xz.avail_in = input_.size() - input_used_;
        c.xz.next_out = reinterpret_cast<uint8_t*>(output_.data());
        c.xz.avail_out = output_size;
        lzma_ret status = lzma_code(&c.xz, c.xz_input_ended ? LZMA_FINISH : LZMA_RUN);
        input_used_ = input_.size() - c.xz.avail_in;
        size_t produced = output_size - c.xz.avail_out;
        if (status != LZMA_OK && status != LZMA_STREAM_END) throw std::runtime_error(xz_problem(status));
        if (produced > 0) {
            sha_.update(output_.data(), produced);
            return std::string_view(output_.data(), produced);
        }
        if (status == LZMA_STREAM_END) {
            finished_ = true;
            diff_id_ = "sha256:" + sha_.hex_digest();
            return {};
        }
    }
}

}  // namespace regscan::scan
