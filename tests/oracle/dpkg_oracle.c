/* Batch oracle for the Debian scheme: the real dpkg parser and comparator
 * (libdpkg, the library dpkg itself is built from).
 * stdin:  one pair per line, "HEX(a) HEX(b)" (bytes, so anything can pass).
 * stdout: "STATUS_A STATUS_B CMP" per line; STATUS is 0 (parses), 1 (dpkg
 *         warns but compares) or 2 (dpkg refuses); CMP is -1, 0, 1 or x. */
#define LIBDPKG_VOLATILE_API 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/version.h>

static int unhex(const char *hex, size_t len, char *out) {
    if (len % 2) return -1;
    for (size_t i = 0; i < len; i += 2) {
        unsigned value;
        if (sscanf(hex + i, "%2x", &value) != 1) return -1;
        out[i / 2] = (char)value;
    }
    out[len / 2] = '\0';
    return 0;
}

static int status_of(struct dpkg_version *version, const char *text) {
    struct dpkg_error err;
    memset(&err, 0, sizeof(err));
    if (parseversion(version, text, &err) == 0) return 0;
    return err.type == DPKG_MSG_WARN ? 1 : 2;
}

int main(void) {
    static char line[1 << 16], a[1 << 15], b[1 << 15];
    while (fgets(line, sizeof(line), stdin)) {
        char *space = strchr(line, ' ');
        char *end = line + strcspn(line, "\r\n");
        if (!space || space > end || unhex(line, (size_t)(space - line), a) ||
            unhex(space + 1, (size_t)(end - space - 1), b)) {
            fprintf(stderr, "dpkg_oracle: bad input line\n");
            return 2;
        }
        struct dpkg_version va, vb;
        int sa = status_of(&va, a), sb = status_of(&vb, b);
        if (sa < 2 && sb < 2) {
            int r = dpkg_version_compare(&va, &vb);
            printf("%d %d %d\n", sa, sb, (r > 0) - (r < 0));
        } else {
            printf("%d %d x\n", sa, sb);
        }
    }
    return 0;
}
