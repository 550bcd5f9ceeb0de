// One-line descriptions of refusals, for error messages: what the service
// answered (status, its error code and message), never what we sent.
#pragma once

#include <string>

#include "regscan/error.hpp"
#include "regscan/host.hpp"

namespace regscan::acr {

// A token or sign-in request the host refused because the listing it was made
// in ran past its bounds (sdk::listing_cut). A listing takes it as it takes a
// cut page: the pages read are kept and the core reports the listing cut.
class ListingCut : public sdk::Error {
public:
    explicit ListingCut(const std::string& message) : sdk::Error(REGSCAN_UNREACHABLE, message) {}
};

// Throws ListingCut when the host refused `response` at a listing's bounds;
// `request` names it ("POST https://r.azurecr.io/oauth2/token").
void throw_if_listing_cut(const sdk::HttpResponse& response, const std::string& request);

// ACR's {"errors":[{"code","message"}]} -> "HTTP 401 UNAUTHORIZED: authentication required".
std::string acr_error_text(const sdk::HttpResponse& response);

// Entra ID's {"error","error_description"} -> "HTTP 401 invalid_client: AADSTS7000215: ..."
// (the first line of the description; its trace ids are left out).
std::string entra_error_text(const sdk::HttpResponse& response);

}  // namespace regscan::acr
