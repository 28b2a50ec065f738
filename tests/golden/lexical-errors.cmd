compile -o $OUT/t.kkpt lexical-errors.kkp
