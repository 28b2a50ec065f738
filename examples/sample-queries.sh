#!/bin/sh
# Answers a few sample questions from the compiled example table.
# usage: sample-queries.sh KKPOLC TABLE
kkpolc=$1
table=$2
for q in "maria.lopez@acme.example billing" \
         "james.chen@acme.example delete_team_members" \
         "priya.natarajan@acme.example billing" \
         "sofia.rossi@acme.example chats" \
         "liam.walsh@acme.example calls" \
         "ethan.nguyen@acme.example reports" \
         "nobody@acme.example chats"; do
    # shellcheck disable=SC2086
    set -- $q
    printf '%-30s %-22s %s\n' "$1" "$2" "$("$kkpolc" query "$table" "$1" "$2" 2>/dev/null)"
done
