-- CREATE MODEL needs its options in parentheses.
CREATE MODEL my_llm_noparen KIND llm ENDPOINT 'sim://';
