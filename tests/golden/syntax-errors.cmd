compile -o $OUT/t.kkpt syntax-errors.kkp
