diff diff/people-old.kkp -- diff/broken.kkp
