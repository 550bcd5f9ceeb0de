// Bounds the state's growth ('regscan state prune'): every rescan of a tag that
// moved, every new signature set and every run adds rows that nothing removes
// otherwise. Rows go by age only, measured by what a run records: a tag's
// digest that no run has seen since the cutoff (images.last_seen) takes its
// results and tag rows with it; a layer's analysis or malware verdict goes
// when it was written before the cutoff, or under an older analysis version.
// What a 'regscan serve' index row shows (its digest's results) is kept
// whatever its age, and a fleet batch goes only once every item of it ended
// before the cutoff. A row removed too early costs a scan, never a wrong
// answer: a run finds nothing stored and scans again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "state/database.hpp"

namespace regscan::state {

struct PruneOptions {
    std::chrono::sys_seconds cutoff;  // rows last seen or written before it go
    int analysis_version = 0;         // layer analyses of an older version go too
    bool dry_run = false;             // count, then roll back
};

struct PruneCounts {
    int64_t results = 0;         // platform results of tag digests unseen since the cutoff
    int64_t tag_rows = 0;        // a tag's stored results, renderings and report references
    int64_t images = 0;          // tag digests seen (what makes an image "new")
    int64_t scans = 0;           // ended runs no remaining result names
    int64_t layer_facts = 0;     // layer analyses
    int64_t layer_malware = 0;   // layer malware verdicts
    int64_t queue_items = 0;     // work_queue rows of ended fleet batches
    int64_t batches = 0;         // transactions that removed rows (a dry run: 0)
};

// In batches of a few thousand rows, each its own transaction (another writer
// of a SQLite state waits for one batch at most); with `dry_run`, in one
// transaction rolled back, returning the counts of what would go.
PruneCounts prune_state(Database& db, const PruneOptions& options);

}  // namespace regscan::state
