-- {{titl}} is not a column of news.
SELECT * FROM news WHERE llm_filter('qwen3_8b', 'Is this about earnings? {{titl}}');
