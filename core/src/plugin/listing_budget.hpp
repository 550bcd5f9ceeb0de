// The bounds on one listing a plugin runs (the catalog, or one repository's
// tags): requests, bytes and time. Discovery opens a ListingScope around each
// plugin call; the host's HTTP service, which every plugin request goes
// through, spends the budget and refuses requests past it. So even a plugin
// that follows pages naively cannot be led on forever by a registry.
#pragma once

#include <chrono>
#include <string>

namespace regscan::plugin {

struct ListingBudget {
    std::chrono::steady_clock::time_point deadline;
    std::string deadline_reason;  // what to say when the deadline passes
    size_t max_pages = 0;
    size_t max_bytes = 0;
    size_t pages = 0;
    size_t bytes = 0;
    // Why the listing was cut short; "" while it is within its bounds.
    std::string exceeded;
};

// Makes `budget` the calling thread's for the scope's lifetime.
class ListingScope {
public:
    explicit ListingScope(ListingBudget& budget);
    ~ListingScope();
    ListingScope(const ListingScope&) = delete;
    ListingScope& operator=(const ListingScope&) = delete;

    // The calling thread's budget, or nullptr outside a listing.
    static ListingBudget* current();

private:
    ListingBudget* previous_;
};

}  // namespace regscan::plugin
