{#- The careaudit settings the SQL depends on, as the pipeline passes them (`--vars`, from
    orchestration/settings.py, where each is declared with its default once). No default here:
    a dbt run without them is a mistake, not a run with other conventions. -#}
{% macro year_type() -%}
    {{ return(var('year_type') | trim | lower) }}
{%- endmacro %}

{% macro percent_rounding() -%}
    {{ return(var('percent_rounding') | trim | lower) }}
{%- endmacro %}

{#- The configured authority (CAREAUDIT_LA_CODE, CAREAUDIT_LA_NAME). -#}
{% macro configured_la_code() -%}
    {{ return(var('la_code') | trim) }}
{%- endmacro %}

{% macro configured_la_name() -%}
    {{ return(var('la_name') | trim) }}
{%- endmacro %}

{#- The authority's name for a row's la_code: CAREAUDIT_LA_NAME for the configured authority;
    null for another authority of a hub (CAREAUDIT_AUTHORITY_FOLDERS), whose name careaudit is
    not told. -#}
{% macro la_name(la_code_column) -%}
    case
        when {{ la_code_column }} = '{{ configured_la_code() | replace("'", "''") }}'
            then '{{ configured_la_name() | replace("'", "''") }}'
    end
{%- endmacro %}
