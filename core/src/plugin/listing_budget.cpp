#include "plugin/listing_budget.hpp"

namespace regscan::plugin {
namespace {

thread_local ListingBudget* active = nullptr;

}  // namespace

ListingScope::ListingScope(ListingBudget& budget) : previous_(active) { active = &budget; }

ListingScope::~ListingScope() { active = previous_; }

ListingBudget* ListingScope::current() { return active; }

}  // namespace regscan::plugin
