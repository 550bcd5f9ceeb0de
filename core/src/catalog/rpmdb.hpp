// The three rpmdb formats, each giving its header blobs to a callback:
// SQLite (rpm >= 4.16: Fedora 33+, RHEL/Alma/Rocky 9), Berkeley DB hash
// (RHEL/CentOS <= 8) and NDB (SUSE). Each throws std::runtime_error when the
// content is not what it claims to be.
#pragma once

#include <functional>
#include <string_view>

namespace regscan::catalog::rpm {

using BlobSink = std::function<void(std::string_view header_blob)>;

void for_each_sqlite_blob(std::string_view database, const BlobSink& sink);
void for_each_bdb_blob(std::string_view database, const BlobSink& sink);
void for_each_ndb_blob(std::string_view database, const BlobSink& sink);

}  // namespace regscan::catalog::rpm
