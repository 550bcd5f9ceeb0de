#include "http/http_client.hpp"
#include "http/plain_url.hpp"

#include <random>
#include <thread>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "http/retry_policy.hpp"
#include "log/secrets.hpp"
#include "regscan/url.hpp"

namespace regscan::http {
namespace {

constexpr const char* aborted_by_reader = "transfer aborted by the reader";
constexpr const char* interrupted = "transfer interrupted: ";
constexpr const char* deadline_passed = "timed out: the deadline passed";
constexpr const char* tls_failure = "TLS failure: ";
constexpr const char* too_large = "response body larger than ";
constexpr const char* downgrade = "refused: ";

struct Transfer {
    const Request* request = nullptr;
    Response* response = nullptr;
    size_t max_body = 0;
    size_t max_error_body = 0;
    bool aborted_by_consumer = false;
    bool body_too_large = false;
    bool error_body_cut = false;
    const std::function<bool()>* stopped = nullptr;  // ClientOptions::stopped, when set
    bool was_stopped = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    // A new status line starts a new response (after 100-continue, say); its
    // status is needed before the body arrives, to decide on streaming.
    if (line.rfind("HTTP/", 0) == 0) {
        transfer->response->headers.clear();
        if (auto space = line.find(' '); space != std::string_view::npos)
            transfer->response->status = std::atol(line.data() + space + 1);
    }
    auto parsed = sdk::parse_header_lines(line);
    for (auto& header : parsed) transfer->response->headers.push_back(std::move(header));
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    // Stream only a successful body; an error body is kept for the message.
    if (transfer->request->on_body && transfer->response->status >= 200 && transfer->response->status < 300) {
        if (!transfer->request->on_body(data, bytes)) {
            transfer->aborted_by_consumer = true;
            return 0;
        }
        return bytes;
    }
    auto& body = transfer->response->body;
    const bool success = transfer->response->status >= 200 && transfer->response->status < 300;
    const size_t cap = success ? transfer->max_body : transfer->max_error_body;
    if (body.size() + bytes > cap) {
        // An error body only explains the status: keep its start, stop reading.
        body.append(data, cap - body.size());
        (success ? transfer->body_too_large : transfer->error_body_cut) = true;
        return 0;
    }
    body.append(data, bytes);
    return bytes;
}

bool is_redirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

bool unanswered(const Response& response) {
    return response.status == 0 && !response.error.empty() && response.error.rfind(too_large, 0) != 0 &&
           response.error.rfind(downgrade, 0) != 0;
}

bool HttpClient::wait_unless_stopped(std::chrono::milliseconds delay) const {
    if (!options_.stopped) {
        std::this_thread::sleep_for(delay);
        return true;
    }
    // A retry may wait minutes (Retry-After); a cancel must not.
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!options_.stopped()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now,
                                                                                 std::chrono::milliseconds(100)));
    }
    return false;
}

HttpClient::HttpClient(ClientOptions options) : options_(std::move(options)) {
    static CurlGlobal global;
}

HttpClient::~HttpClient() {
    for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::acquire_handle() {
    {
        std::lock_guard lock(pool_mutex_);
        if (!idle_handles_.empty()) {
            void* handle = idle_handles_.back();
            idle_handles_.pop_back();
            return handle;
        }
    }
    return curl_easy_init();
}

void HttpClient::release_handle(void* handle) {
    std::lock_guard lock(pool_mutex_);
    idle_handles_.push_back(handle);
}

Response HttpClient::send_once(const Request& request) {
    Response response;
    // Every origin check (credentials, redirects, pages, realms) read the URL
    // with sdk::parse_url: a URL curl reads otherwise ("https://a#@b") would
    // take what those checks allowed for one host to another.
    if (auto unclear = curl_reads_differently(request.url)) {
        response.error = std::string(downgrade) + *unclear;
        return response;
    }
    CURL* curl = static_cast<CURL*>(acquire_handle());
    curl_easy_reset(curl);
    Transfer transfer{&request, &response, request.max_body ? request.max_body : options_.max_body_size,
                      options_.max_error_body};
    if (options_.stopped) transfer.stopped = &options_.stopped;

    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : request.headers)
        header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    // curl adds "Expect: 100-continue" to large POSTs; registries do not need it.
    header_list = curl_slist_append(header_list, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    // A URL without a scheme is https, as sdk::parse_url reads it (curl would guess http).
    curl_easy_setopt(curl, CURLOPT_DEFAULT_PROTOCOL, "https");
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_cert.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_cert.c_str());
    if (request.deadline || options_.stopped) {
        // curl calls this about once a second even while nothing arrives.
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
                         +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                             auto* t = static_cast<Transfer*>(user);
                             if (t->stopped && (*t->stopped)()) {
                                 t->was_stopped = true;
                                 return 1;
                             }
                             return t->request->deadline && std::chrono::steady_clock::now() > *t->request->deadline
                                        ? 1
                                        : 0;
                         });
    }
    // A transfer aborted at its deadline while the host name is still being
    // resolved would otherwise wait for getaddrinfo (seconds, with retries)
    // before it returns: the resolver thread is left to finish on its own.
    if (request.deadline) curl_easy_setopt(curl, CURLOPT_QUICK_EXIT, 1L);
    // A connection that stalls for a minute is dead; say so instead of waiting.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_slist* resolve_list = nullptr;
    for (const auto& entry : options_.resolve) resolve_list = curl_slist_append(resolve_list, entry.c_str());
    if (resolve_list) curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_list);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);

    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }

    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK || transfer.error_body_cut) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    } else if (transfer.body_too_large) {
        response.status = 0;
        response.body.clear();
        response.error = too_large + std::to_string(transfer.max_body) + " bytes";
    } else if (transfer.was_stopped) {
        response.status = 0;
        response.body.clear();
        response.error = stopped_error;
    } else if (transfer.aborted_by_consumer) {
        response.error = aborted_by_reader;
    } else if (code == CURLE_ABORTED_BY_CALLBACK && request.deadline) {
        response.status = 0;
        response.body.clear();
        response.error = deadline_passed;
    } else {
        // Once a streamed body has started, a retry would feed the reader
        // the same bytes twice: report the failure instead.
        bool streaming = request.on_body && response.status >= 200 && response.status < 300;
        response.status = 0;
        response.body.clear();
        std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
        // A certificate or TLS setup failure will not go away on retry.
        bool tls = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
                   code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CACERT_BADFILE ||
                   code == CURLE_SSL_CIPHER || code == CURLE_SSL_ISSUER_ERROR;
        response.error = std::string(streaming ? interrupted : tls ? tls_failure : "") + detail;
    }
    curl_slist_free_all(header_list);
    curl_slist_free_all(resolve_list);
    release_handle(curl);
    return response;
}

Response HttpClient::send(const Request& original) {
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.0, 1.0);

    Request request = original;
    Response response;
    for (int attempt = 0;; ++attempt) {
        if (options_.stopped && options_.stopped()) {
            response = Response{};
            response.error = stopped_error;
            break;
        }
        response = send_once(request);
        int redirects = 0;
        while (is_redirect(response.status) && redirects++ < 10) {
            auto location = response.header("Location");
            if (!location) break;
            std::string next = sdk::resolve_url(request.url, *location);
            if (sdk::parse_url(request.url).scheme == "https" && sdk::parse_url(next).scheme != "https") {
                // --insecure is about certificates, not about sending what
                // was asked over TLS in clear text: no opt-in here.
                response = Response{};
                response.error = std::string(downgrade) + "redirect from https to " + log::redact(next) +
                                 " would downgrade the connection";
                break;
            }
            // A body may carry credentials (an OAuth2 form with a refresh
            // token): it never follows a redirect to another origin; the
            // redirect is the answer. A 303 drops it, so it is followed.
            if (!request.body.empty() && response.status != 303 && !same_origin(request.url, next)) break;
            if (!same_origin(request.url, next)) {
                // Presigned object-storage URLs carry their own signature and
                // reject (or would leak) the registry's credentials.
                std::erase_if(request.headers, [](const Header& h) { return sdk::iequals(h.first, "Authorization"); });
            }
            if (response.status == 303) {
                request.method = "GET";
                request.body.clear();
            }
            request.url = next;
            response = send_once(request);
        }
        response.final_url = request.url;
        if (!original.retry || !is_retryable_status(response.status) || attempt >= options_.max_retries) break;
        if (response.error == aborted_by_reader || response.error == deadline_passed ||
            response.error == stopped_error || response.error.rfind(interrupted, 0) == 0 ||
            response.error.rfind(tls_failure, 0) == 0 || response.error.rfind(too_large, 0) == 0 ||
            response.error.rfind(downgrade, 0) == 0)
            break;
        // Some gateways send the non-standard X-Retry-After instead.
        auto retry_after_header = response.header("Retry-After");
        if (!retry_after_header) retry_after_header = response.header("X-Retry-After");
        auto retry_after = retry_after_header
                               ? parse_retry_after(*retry_after_header, std::chrono::system_clock::now())
                               : std::nullopt;
        if (retry_after && *retry_after > options_.max_retry_delay)
            spdlog::warn("{} {} asks to wait {} s before a retry; waiting {} s (--max-retry-wait)", request.method,
                         log::redact(original.url), retry_after->count(), options_.max_retry_delay.count());
        auto delay = retry_delay(attempt, options_.retry_base_delay, retry_after, options_.max_retry_delay,
                                 jitter(random));
        // A retry that would start after the deadline cannot finish in time.
        if (original.deadline && std::chrono::steady_clock::now() + delay >= *original.deadline) break;
        spdlog::warn("{} {} answered {}; retry {} of {} in {} ms", request.method, log::redact(original.url),
                     response.status == 0 ? response.error : std::to_string(response.status), attempt + 1,
                     options_.max_retries, delay.count());
        if (!wait_unless_stopped(delay)) {
            response = Response{};
            response.error = stopped_error;
            break;
        }
        request = original;
    }
    return response;
}

}  // namespace regscan::http
