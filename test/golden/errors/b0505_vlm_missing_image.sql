-- vlm() without the image.
SELECT id, vlm('llava', prompt => 'Describe this chart') AS description
FROM news;
