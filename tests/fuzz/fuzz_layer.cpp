// A layer through the real byte pipe: a producer thread pushes the input into
// a scan::BytePipe in small chunks, as the HTTP transfer does, while
// LayerAnalyzer (read_layer: gzip/zstd/xz/plain detection, diff_id hashing,
// libarchive's tar reader, then every cataloger and file check on the files
// they want) consumes it.
// Input: byte 0 sets the chunk size, the rest is the layer blob.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>

#include "scan/byte_pipe.hpp"
#include "scan/layer_facts.hpp"

using namespace regscan::scan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const LayerAnalyzer analyzer;
    const size_t chunk = 1 + data[0] * 37u;
    const char* blob = reinterpret_cast<const char*>(data + 1);
    const size_t blob_size = size - 1;

    BytePipe pipe(16 * 1024);
    std::thread producer([&] {
        for (size_t at = 0; at < blob_size; at += chunk)
            if (!pipe.push(blob + at, std::min(chunk, blob_size - at))) break;
        pipe.close();
    });
    try {
        LayerFacts facts = analyzer.analyse(pipe, "sha256:fuzz");
        nlohmann::json cached = facts;  // the layer cache's round trip
        (void)cached.get<LayerFacts>();
    } catch (const std::exception&) {
        pipe.abort();  // what the scanner does with a corrupt layer
    }
    producer.join();
    return 0;
}
