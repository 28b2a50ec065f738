compile -o $OUT/t.kkpt imports/main.kkp
