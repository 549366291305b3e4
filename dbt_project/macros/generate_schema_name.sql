{#- Use each folder's schema name as is (staging, intermediate, marts, catalogue), not
    prefixed with the target schema: BI users and the publish step read stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
