diff --format text diff/people-old.kkp -- diff/people-new.kkp
