/* A service-style use of libkkpol: open a compiled table once, resolve the
 * permissions it checks once, then decide requests. Built by `make check`
 * against an installed copy of the library, through pkg-config.
 *
 * usage: query_example TABLE */
#include <kkpol.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct kkp_table *table;
    struct kkp_error err;
    struct kkp_bit billing, chats;
    static const char *const members[] = {"maria.lopez@acme.example", "sofia.rossi@acme.example",
                                          "nobody@acme.example"};
    static const char *const answers[] = {"deny", "allow", "unknown member", "unknown permission"};
    int failures = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s TABLE\n", argv[0]);
        return 2;
    }
    if (kkp_table_open(argv[1], KKP_OPEN_VERIFY, &table, &err) != KKP_OK) {
        fprintf(stderr, "query_example: %s\n", err.message);
        return 2;
    }
    if (kkp_permission(table, "billing", &billing) != KKP_OK ||
        kkp_permission(table, "chats", &chats) != KKP_OK) {
        fprintf(stderr, "query_example: the table has no 'billing' or 'chats' permission\n");
        kkp_table_close(table);
        return 2;
    }

    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        const char *m = members[i];
        enum kkp_decision b = kkp_check_bit(table, m, strlen(m), billing);
        enum kkp_decision c = kkp_check_bit(table, m, strlen(m), chats);

        printf("%-28s billing: %-14s chats: %s\n", m, answers[b], answers[c]);
    }

    /* The shipped example: Maria administers billing, Sofia sells, nobody is unknown. */
    failures += kkp_check(table, "maria.lopez@acme.example", "billing") != KKP_ALLOW;
    failures += kkp_check(table, "sofia.rossi@acme.example", "billing") != KKP_DENY;
    failures += kkp_check(table, "sofia.rossi@acme.example", "chats") != KKP_ALLOW;
    failures += kkp_check(table, "nobody@acme.example", "chats") != KKP_UNKNOWN_MEMBER;
    failures += kkp_check(table, "maria.lopez@acme.example", "no_such") != KKP_UNKNOWN_PERMISSION;
    kkp_table_close(table);
    if (failures)
        fprintf(stderr, "query_example: %d answers differ from the example policy\n", failures);
    return failures ? 1 : 0;
}
