diff --format markdown diff/people-old.kkp -- diff/people-new.kkp
