diff --format json diff/people-old.kkp -- diff/people-new.kkp
