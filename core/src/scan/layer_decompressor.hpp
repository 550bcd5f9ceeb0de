// Turns a layer's bytes as they arrive (gzip, zstd, xz or plain tar) into the
// tar stream, hashing it on the way: the sha256 of the uncompressed layer is
// its diff_id, which the image config lists and the scan verifies. Doing the
// decompression here rather than in libarchive is what makes that hash
// possible without reading the layer twice.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "scan/byte_pipe.hpp"
#include "util/crypto.hpp"

namespace regscan::scan {

class LayerDecompressor {
public:
    explicit LayerDecompressor(BytePipe& pipe);
    ~LayerDecompressor();
    LayerDecompressor(const LayerDecompressor&) = delete;
    LayerDecompressor& operator=(const LayerDecompressor&) = delete;

    // The next piece of the tar stream, valid until the next call; empty at
    // its end. Throws std::runtime_error when the compressed stream is
    // corrupt or cut short.
    std::string_view next();

    // "sha256:<hex>" of everything next() returned, once it returned empty.
    [[nodiscard]] std::string diff_id() const { return diff_id_; }

private:
    struct Codec;
    bool fill_input();
    std::string_view next_gzip();
    std::string_view next_xz();
    void start();

    BytePipe& pipe_;
    std::unique_ptr<Codec> codec_;
    std::string input_;       // the compressed chunk being consumed
    size_t input_used_ = 0;
    std::string output_;      // what next() hands out
    util::Sha256 sha_;
    std::string diff_id_;
    bool started_ = false;
    bool finished_ = false;
};

}  // namespace regscan::scan
