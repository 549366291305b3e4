{#- A submission (one export row) is identified by its file's content hash and row number. -#}
{% macro submission_id(file_sha256, source_row) -%}
    concat({{ file_sha256 }}, '#', cast({{ source_row }} as varchar))
{%- endmacro %}
