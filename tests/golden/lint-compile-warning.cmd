compile -o $OUT/w.kkpt lint/id-case.kkp
