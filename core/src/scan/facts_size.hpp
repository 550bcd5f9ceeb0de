// An estimate of the memory a layer's facts hold, counted as they grow so
// that a hostile layer fails before it takes the machine's memory
// (limits::max_layer_kept_bytes): every string a registry's bytes decide,
// plus the size of the structures holding them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/cataloger.hpp"
#include "malware/layer_verdict.hpp"
#include "scan/model.hpp"

namespace regscan::scan {

struct LayerFacts;

// One kept path (a whiteout, an opaque directory) with its container's cost.
uint64_t path_bytes(const std::string& path);

// One analysed or replaced file's facts, its path included.
uint64_t file_facts_bytes(const std::string& path, const catalog::FileFacts& facts);

// The malware findings and unexamined files `verdict` holds from the given
// indexes on (those one file added).
uint64_t malware_bytes(const malware::LayerVerdict& verdict, size_t findings_from, size_t incomplete_from);

// One file's findings, its path included.
uint64_t findings_bytes(const std::string& path, const std::vector<Misconfiguration>& findings);

// The whole of `facts` (files, findings, whiteouts, opaque directories,
// notes, the malware verdict): what analyse() counted, recomputed for facts
// read from the state.
uint64_t layer_facts_bytes(const LayerFacts& facts);

}  // namespace regscan::scan
