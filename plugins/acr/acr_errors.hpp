// One-line descriptions of refusals, for error messages: what the service
// answered (status, its error code and message), never what we sent.
#pragma once

#include <string>

#include "regscan/host.hpp"

namespace regscan::acr {

// ACR's {"errors":[{"code","message"}]} -> "HTTP 401 UNAUTHORIZED: authentication required".
std::string acr_error_text(const sdk::HttpResponse& response);

// Entra ID's {"error","error_description"} -> "HTTP 401 invalid_client: AADSTS7000215: ..."
// (the first line of the description; its trace ids are left out).
std::string entra_error_text(const sdk::HttpResponse& response);

}  // namespace regscan::acr
