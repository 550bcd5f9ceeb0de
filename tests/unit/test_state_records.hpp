// Records the state tests build again and again: a connector and one image
// index row (shared by the conformance suite and the SQLite-only tests).
#pragma once

#include <cstdint>
#include <string>

#include "state/service_store.hpp"

namespace regscan::test {

inline state::ConnectorRecord connector(const std::string& name) {
    state::ConnectorRecord c;
    c.name = name;
    c.config = {{"url", "http://127.0.0.1:5000"}, {"schedule", {{"enabled", true}, {"every", "6h"}}}};
    c.created = c.updated = "2026-01-01T00:00:00Z";
    return c;
}

inline state::ImageIndexRow row(int64_t connector_id, const std::string& repository, const std::string& tag,
                                const std::string& platform, int64_t import_id) {
    state::ImageIndexRow r;
    r.connector_id = connector_id;
    r.connector = "prod";
    r.project = "default";
    r.registry = "127.0.0.1:5000";
    r.repository = repository;
    r.tag = tag;
    r.platform = platform;
    r.digest = "sha256:" + std::string(64, 'a');
    r.last_scanned = "2026-01-02T00:00:00Z";
    r.import_id = import_id;
    return r;
}

}  // namespace regscan::test
