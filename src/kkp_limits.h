/* The product's limits; docs/limits.md lists them for users. Tests may build
 * with lower values to reach a limit cheaply. */
#ifndef KKP_LIMITS_H
#define KKP_LIMITS_H

#ifndef KKP_MAX_PERMISSIONS
#define KKP_MAX_PERMISSIONS 4096
#endif
#ifndef KKP_MAX_ROLES
#define KKP_MAX_ROLES 65535
#endif
#ifndef KKP_MAX_MEMBERS
#define KKP_MAX_MEMBERS 10000000
#endif
#ifndef KKP_MAX_GROUPS
#define KKP_MAX_GROUPS 4096
#endif
#define KKP_MAX_IDENT 128
#define KKP_MAX_MEMBER_ID 320
#define KKP_MAX_STRING 4096
#ifndef KKP_MAX_FILE_SIZE
#define KKP_MAX_FILE_SIZE ((size_t)2 << 30)
#endif
#define KKP_MAX_FILES 65535
#define KKP_MAX_COUNT 4294967295u
#define KKP_DEFAULT_MAX_ERRORS 50

#endif
