compile -o $OUT/t.kkpt duplicates.kkp
