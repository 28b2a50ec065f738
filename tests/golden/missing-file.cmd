compile -o $OUT/t.kkpt no-such-file.kkp
