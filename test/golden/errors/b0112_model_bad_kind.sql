-- mode: run
-- KIND chat is not a model kind.
CREATE MODEL my_chat (KIND chat, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-8B');
