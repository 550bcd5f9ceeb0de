/*
 * regscan plugin ABI: the one contract between the regscan core and a plugin.
 *
 * Pure C so that a plugin built with another compiler or standard library
 * still loads: nothing but C types, function pointers and JSON text crosses
 * this boundary. The header-only C++ layer in <regscan/plugin.hpp> turns an
 * ordinary C++ class into these tables; use it unless you write C.
 *
 * Versioning (checked by the core before it calls anything else):
 *   - a plugin built against another REGSCAN_ABI_MAJOR is refused;
 *   - a plugin whose REGSCAN_ABI_MINOR is newer than the core's is refused;
 *   - every struct starts with struct_size, so fields may be appended in a
 *     minor version; the core only reads fields that lie inside struct_size.
 *
 * Ownership: strings a plugin hands to the core (descriptor fields) must live
 * as long as the library is loaded. Results travel through regscan_out, a
 * host-owned buffer that the plugin fills with host->out_write; the plugin
 * never frees host memory and the host never frees plugin memory.
 *
 * Threads: the host never runs one plugin's identify() twice at once. Its
 * first pass calls each plugin's identify() in turn from one thread; its
 * probing pass (may_request) calls the identify() of every plugin built
 * with 1.5 or newer at the same time, each from a thread of its own (an
 * older plugin is still called from one thread). list_tags() and
 * authorize() may run concurrently on the same session from several threads;
 * every host service is thread-safe.
 *
 * Errors: functions return a regscan_status. On failure the plugin writes a
 * one-line human-readable reason into the regscan_out it was given. No C++
 * exception may leave a plugin function.
 */
#ifndef REGSCAN_PLUGIN_ABI_H
#define REGSCAN_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REGSCAN_ABI_MAJOR 1
#define REGSCAN_ABI_MINOR 5

/* The exported entry point: a data symbol of this name, placed in the ELF
 * section REGSCAN_ENTRY_SECTION, holding the address of a
 * regscan_plugin_entry_fn. The section lets the core list a file's entry
 * points before loading it (Boost.DLL's BOOST_DLL_ALIAS_SECTIONED layout). */
#define REGSCAN_ENTRY_NAME "regscan_plugin_v1"
#define REGSCAN_ENTRY_SECTION "regscan"

typedef enum regscan_status {
    REGSCAN_OK = 0,
    REGSCAN_ERROR = 1,         /* anything else; the reason is in the out buffer */
    REGSCAN_NOT_FOUND = 2,     /* the repository or object does not exist */
    REGSCAN_AUTH_FAILED = 3,   /* credentials refused or missing */
    REGSCAN_UNSUPPORTED = 4,   /* optional operation not provided: use the core's default */
    REGSCAN_UNREACHABLE = 5,   /* network or TLS failure */
    REGSCAN_BAD_ARGUMENT = 6   /* (1.1) an option or credential the user gave is malformed:
                                  the core exits as for a bad command line */
} regscan_status;

typedef enum regscan_log_level {
    REGSCAN_LOG_TRACE = 0,
    REGSCAN_LOG_DEBUG = 1,
    REGSCAN_LOG_INFO = 2,
    REGSCAN_LOG_WARN = 3,
    REGSCAN_LOG_ERROR = 4
} regscan_log_level;

/* A host-owned growable buffer. Plugins append to it with host->out_write. */
typedef struct regscan_out regscan_out;

/* Ask the host to answer registry WWW-Authenticate challenges (Basic, Bearer
 * token flow, or the plugin's own authorize()) for this request. */
#define REGSCAN_HTTP_REGISTRY_AUTH 0x1u
/* Do not retry on 429/5xx; the plugin handles it. */
#define REGSCAN_HTTP_NO_RETRY 0x2u

typedef struct regscan_http_request {
    uint32_t struct_size;
    const char *method;              /* "GET", "POST", "HEAD", "PUT" */
    const char *url;                 /* absolute URL */
    const char *const *headers;      /* "Name: value" lines */
    size_t header_count;
    const char *body;                /* may be NULL */
    size_t body_size;
    uint32_t flags;                  /* REGSCAN_HTTP_* */
    /* (1.4) The most milliseconds this one call may take, its retries and
     * their waits and the token request REGSCAN_HTTP_REGISTRY_AUTH makes
     * included; 0: only the core's own bounds (--request-timeout). The core
     * takes the shorter of this and its own bounds; past it the call answers
     * status 0 with a "timed out" error. An older core (abi_minor < 4 in the
     * host table) does not read it. A C plugin zero-initialises the struct
     * (= {0}), so a field it does not set is 0, not what was on the stack. */
    uint32_t timeout_ms;
} regscan_http_request;

typedef struct regscan_http_response {
    uint32_t struct_size;
    long status;                     /* HTTP status, 0 when no response came back */
    const char *headers;             /* final response's headers, "Name: value\r\n" lines */
    size_t headers_size;
    const char *body;
    size_t body_size;
    const char *error;               /* transport error text when status == 0, else NULL */
    void *host_data;                 /* owned by the host; release with http_release */
} regscan_http_response;

/* Services the core offers to every plugin. Valid until the plugin's library
 * is unloaded. HTTP runs on the core's client: its TLS settings, proxies,
 * retries, rate-limit handling and secret redaction apply to plugins too. */
typedef struct regscan_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    void *ctx;
    void (*log)(void *ctx, regscan_log_level level, const char *message);
    /* Returns REGSCAN_OK when a response (any status) came back. The response
     * stays valid until http_release. */
    regscan_status (*http)(void *ctx, const regscan_http_request *request,
                           regscan_http_response *response);
    void (*http_release)(void *ctx, regscan_http_response *response);
    void (*out_write)(regscan_out *out, const char *data, size_t size);
    /* Register a value (token, password) that must never appear in logs,
     * reports or error messages. */
    void (*add_secret)(void *ctx, const char *value);
    /* (1.2) Something the user must know about the discovery (a listing that
     * changed while it was read, a repository left out and why): logged at
     * warning level and listed in the run summary. Read only when
     * struct_size covers it. */
    void (*note)(void *ctx, const char *message);
} regscan_host_api;

typedef struct regscan_session regscan_session; /* plugin-defined */

/*
 * A registry type: how to recognise it, discover its images, and authorise
 * pulls. Pulling itself (manifests, blobs) goes through the core's OCI
 * distribution client at the pull address each repository names.
 *
 * JSON shapes (documented in sdk/README.md):
 *   identify  in : {"url","scheme","host","port","ping":{"status","headers":{lowercase name: value},"error"},
 *                   "may_request": bool}   ("may_request" (1.2): true only in the second pass, run when
 *                   no plugin scored 50 or more from the URL and ping: the plugin may then make one
 *                   unauthenticated GET to tell its type; the host refuses any further request)
 *             out: {"score": 0..100, "type": "ECR"}     (0 = not mine; negative = this URL
 *                  belongs to registry type "type", which needs its own plugin: the core
 *                  then does not fall back to DEFAULT_V2 when no plugin claims it)
 *   open      in : {"url","type","username","password","options":{name: value},
 *                   "limits":{"repositories": N, "tags": N}}   ("limits" from 1.1.1: the most
 *                   entries the core keeps; a listing may stop at one more)
 *   list_repositories out: [{"name": "team/app", "pull_base": "https://host", "pull_name": "team/app",
 *                            "reference": "docker.io/team/app", "plugin_data": any}]   (only "name"
 *                            required; "plugin_data" (1.2): handed back unchanged to list_tags)
 *   list_tags in : one element of list_repositories' array
 *             out: [{"tag","digest","created","pushed","media_type",
 *                    "platforms":[{"platform":"linux/arm64/v8","digest"}]}]  (only "tag" or "digest" required;
 *                    "platforms" (1.1): the image manifests of an index, as the vendor API lists them)
 *   authorize in : {"url","method","scope","challenge":{"scheme","params":{...}}}
 *             out: {"authorization": "Bearer ..."}
 *                  or (1.2) {"credentials": {"username","password"} or {"token"}}: the core runs its
 *                  standard Basic/Bearer flow with these instead of the user's credentials
 */
typedef struct regscan_registry_api {
    uint32_t struct_size;
    const char *types;  /* comma-separated registry types, e.g. "ECR" */
    /* Command-line options the plugin adds to `regscan registry`, as JSON:
     * [{"name": "ecr-endpoint", "help": "...", "env": "AWS_ENDPOINT_URL_ECR"}].
     * Values reach open() in "options" by name; when the option is not given,
     * the core fills it from "env" if that variable is set. NULL: none.
     * (1.3) "secret": true marks a value to keep secret (a token): the core
     * redacts it from every log line, and `regscan serve` stores it in a
     * connector encrypted and never answers it, as it does a password. */
    const char *options;
    /* required */
    regscan_status (*identify)(const regscan_host_api *host, const char *probe_json, regscan_out *out);
    /* required; on failure *session stays NULL and the reason is in err */
    regscan_status (*open)(const regscan_host_api *host, const char *config_json,
                           regscan_session **session, regscan_out *err);
    /* required; all pages */
    regscan_status (*list_repositories)(regscan_session *session, regscan_out *out);
    /* required; all pages; called concurrently */
    regscan_status (*list_tags)(regscan_session *session, const char *repository_json, regscan_out *out);
    /* optional (NULL or REGSCAN_UNSUPPORTED: the core's Basic/Bearer flow); called concurrently */
    regscan_status (*authorize)(regscan_session *session, const char *request_json, regscan_out *out);
    /* required */
    void (*close)(regscan_session *session);
} regscan_registry_api;

/*
 * A filter decides whether an image is scanned.
 *   open   in : {"options":{name: value}}
 *   decide in : {"registry","repository","tag","digest"}
 *          out: {"skip": true, "reason": "..."}  (empty out or skip=false: keep)
 */
typedef struct regscan_filter_api {
    uint32_t struct_size;
    const char *name;
    regscan_status (*open)(const regscan_host_api *host, const char *config_json, void **state, regscan_out *err);
    regscan_status (*decide)(void *state, const char *image_json, regscan_out *out);
    void (*close)(void *state);
} regscan_filter_api;

/*
 * A reporter writes one output format.
 *   begin in : {"registry","mode","output_dir","started"}
 *   image in : one image result (schema in docs/report-schema.md), as soon as its image is
 *              done: from the core's worker threads, never two calls at once, in the order
 *              scans finish (sort in end() if order matters; keep little: a registry's
 *              results need not fit in memory)
 *   end   in : the run summary; out: the paths written, one per line
 */
typedef struct regscan_reporter_api {
    uint32_t struct_size;
    const char *format;  /* the --format name, e.g. "csv" */
    regscan_status (*begin)(const regscan_host_api *host, const char *run_json, void **state, regscan_out *err);
    regscan_status (*image)(void *state, const char *image_json, regscan_out *err);
    regscan_status (*end)(void *state, const char *summary_json, regscan_out *out);
    void (*close)(void *state);
} regscan_reporter_api;

/* The plain-data descriptor returned by the entry point. The core checks
 * struct_size and the ABI version before it reads anything else. */
typedef struct regscan_plugin {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *id;           /* unique, e.g. "ecr" */
    const char *version;      /* the plugin's own version */
    const char *description;
    const regscan_registry_api *registry;   /* optional capabilities: */
    const regscan_filter_api *filter;       /* at least one must be set */
    const regscan_reporter_api *reporter;
} regscan_plugin;

typedef const regscan_plugin *(*regscan_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* REGSCAN_PLUGIN_ABI_H */
