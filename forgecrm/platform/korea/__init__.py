"""Korean identifiers, phone numbers, money and holidays, backed by python-stdnum, phonenumbers, babel, holidays."""
