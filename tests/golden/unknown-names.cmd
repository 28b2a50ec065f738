compile -o $OUT/t.kkpt unknown-names.kkp
