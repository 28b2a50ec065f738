compile -Werror -o $OUT/w.kkpt lint/id-case.kkp
