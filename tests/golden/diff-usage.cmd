diff diff/people-old.kkp diff/people-new.kkp
