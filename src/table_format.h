/* Byte layout of a compiled table, shared by the writer (compiler) and the
 * reader (libkkpol). docs/table-format.md describes the same layout for
 * users; keep the two in step.
 *
 * All integers are little-endian. The file is a 128-byte header, then
 * sections at 8-byte aligned offsets (the member slots at 64-byte aligned
 * offsets), found through a section directory:
 *
 *   header      magic, version, sizes, checksum, digests, counts
 *   directory   section_count entries of {u32 id, u32 flags, u64 offset, u64 size}
 *   STRINGS     every name, title, description and member id, each followed by NUL
 *   GROUPS      per group {u32 name_off, u32 name_len, u32 title_off, u32 title_len}
 *   PERMISSIONS per bit {name, description as above, u32 group, u32 flags}
 *   ROLES       per role {name, title}
 *   ROLE_MASKS  per role, words 64-bit words
 *   SLOTS       open-addressing hash index of members: slot_count slots of
 *               {u64 hash, u32 id_off, u32 id_len, words 64-bit mask words};
 *               id_len 0 marks an empty slot; linear probing
 *   MEMBERS     per member in policy order, u32 slot index
 *   REVISION    optional: the --revision text, NUL-terminated
 *   PROVENANCE  optional (compile --provenance): per role and member, the
 *               parents, and per bit the granting statements with their role
 *               chains or the deciding revokes; docs/table-format.md has the
 *               layout
 *
 * A string with no value (no title, no description) has offset 0 and length 0;
 * STRINGS starts with a NUL byte so that offset 0 is the empty string. */
#ifndef KKP_TABLE_FORMAT_H
#define KKP_TABLE_FORMAT_H

#include <stdint.h>

#define TABLE_MAGIC "\x89KKPT\r\n\x1a"
#define TABLE_MAGIC_SIZE 8
#define TABLE_VERSION_MAJOR 1
#define TABLE_VERSION_MINOR 1
#define TABLE_HEADER_SIZE 128
#define TABLE_DIR_ENTRY_SIZE 24
#define TABLE_NONE 0xFFFFFFFFu

/* Header field offsets. */
#define TH_MAGIC 0          /* u8[8] */
#define TH_VERSION_MAJOR 8  /* u16 */
#define TH_VERSION_MINOR 10 /* u16 */
#define TH_HEADER_SIZE 12   /* u32 */
#define TH_FILE_SIZE 16     /* u64 */
#define TH_CHECKSUM 24      /* u64 XXH3-64 of the file with these 8 bytes zero */
#define TH_SOURCE_DIGEST 32 /* u64 low, u64 high: XXH3-128 of the loaded files */
#define TH_FINGERPRINT 48   /* u64 XXH3-64 of the names in bit order, each + NUL */
#define TH_HASH_SEED 56     /* u64 seed of the member-id hash (XXH3-64) */
#define TH_PERM_COUNT 64    /* u32 */
#define TH_WORDS 68         /* u32 64-bit words per mask: max(1, ceil(perms / 64)) */
#define TH_GROUP_COUNT 72   /* u32 */
#define TH_ROLE_COUNT 76    /* u32 */
#define TH_MEMBER_COUNT 80  /* u64 */
#define TH_SLOT_COUNT 88    /* u64 power of two, at least 8 */
#define TH_MAX_PROBE 96     /* u32 slots past the home slot that a lookup may read */
#define TH_SECTION_COUNT 100 /* u32 */
#define TH_DIR_OFFSET 104   /* u64 */
/* Bytes 112..127 are reserved and zero. */

enum table_section {
    SECTION_STRINGS = 1,
    SECTION_GROUPS = 2,
    SECTION_PERMISSIONS = 3,
    SECTION_ROLES = 4,
    SECTION_ROLE_MASKS = 5,
    SECTION_SLOTS = 6,
    SECTION_MEMBERS = 7,
    SECTION_REVISION = 8,
    SECTION_PROVENANCE = 9,
    SECTION_MAX_KNOWN = 9,
};

#define GROUP_RECORD_SIZE 16
#define PERM_RECORD_SIZE 24
#define ROLE_RECORD_SIZE 16
#define SLOT_HEADER_SIZE 16

/* PROVENANCE: a 32-byte header, then files, statements, subjects, the u32
 * data words and the section's own strings. */
#define PROV_HEADER_SIZE 32
#define PROV_FILE_SIZE 8
#define PROV_STATEMENT_SIZE 24
#define PROV_SUBJECT_SIZE 16
#define PROV_FLAG_REVOKE 1u

#define TABLE_FLAG_ESCALATES 1u
#define TABLE_FLAG_SENSITIVE 2u

#endif
