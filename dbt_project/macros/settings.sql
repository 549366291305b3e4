{#- The careaudit settings the SQL depends on, as the pipeline passes them (`--vars`, from
    orchestration/settings.py, where each is declared with its default once). No default here:
    a dbt run without them is a mistake, not a run with other conventions. -#}
{% macro year_type() -%}
    {{ return(var('year_type') | trim | lower) }}
{%- endmacro %}

{% macro percent_rounding() -%}
    {{ return(var('percent_rounding') | trim | lower) }}
{%- endmacro %}

{#- A setting's text as a SQL string literal. -#}
{% macro setting_literal(value) -%}
    '{{ value | trim | replace("'", "''") }}'
{%- endmacro %}

{#- The configured authority (CAREAUDIT_LA_CODE, CAREAUDIT_OLD_LA_CODE, CAREAUDIT_LA_NAME,
    CAREAUDIT_REGION_CODE, CAREAUDIT_REGION_NAME) as one row of the authority register's
    columns: a single authority needs no register row (dim_authorities). -#}
{% macro configured_authority() -%}
    select
        {{ setting_literal(var('la_code')) }} as la_code,
        {{ setting_literal(var('old_la_code')) }} as old_la_code,
        {{ setting_literal(var('la_name')) }} as la_name,
        {{ setting_literal(var('region_code')) }} as region_code,
        {{ setting_literal(var('region_name')) }} as region_name
{%- endmacro %}
