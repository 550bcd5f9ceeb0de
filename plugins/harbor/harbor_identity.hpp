// Whether a registry URL is a Harbor: from the URL and the /v2/ ping's
// challenge (no request of its own), else, when the core allows one request,
// from Harbor's anonymous GET /api/v2.0/systeminfo.
#pragma once

#include <string>

#include "regscan/host.hpp"
#include "regscan/registry.hpp"

namespace regscan::harbor {

inline constexpr const char* registry_type = "HARBOR";

// 100: a Harbor web console address (.../harbor/projects/...) or a
// *.goharbor.io host; 60: a host named like one ("harbor", "harbor-prod.x");
// 0: the URL does not tell.
int url_score(const sdk::Url& url);

// 90 when the /v2/ challenge is Harbor's token service (realm ending in
// /service/token, service "harbor-registry"), else 0.
int challenge_score(const std::string& www_authenticate);

// True for a 200 JSON object shaped like Harbor's GeneralInfo (auth_mode,
// and any of harbor_version, primary_auth_mode, self_registration).
bool is_systeminfo(const sdk::HttpResponse& response);

// The whole decision; makes the one unauthenticated GET only when
// probe.may_request is set and nothing else told.
sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe);

}  // namespace regscan::harbor
