compile -o $OUT/l.kkpt lint/lockout.kkp
