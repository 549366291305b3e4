{#- The careaudit settings SQL depends on, read from the same CAREAUDIT_* environment
    variables as the Python side (orchestration/settings.py), with the same defaults.
    Environment variables, not dbt vars: changing a var forces dbt to re-parse the whole
    project on every run. -#}
{% macro year_type() -%}
    {{ return(env_var('CAREAUDIT_YEAR_TYPE', 'calendar') | trim | lower) }}
{%- endmacro %}

{% macro percent_rounding() -%}
    {{ return(env_var('CAREAUDIT_PERCENT_ROUNDING', 'half_up') | trim | lower) }}
{%- endmacro %}

{#- The configured authority (CAREAUDIT_LA_CODE, CAREAUDIT_LA_NAME), as settings.py reads it. -#}
{% macro configured_la_code() -%}
    {{ return(env_var('CAREAUDIT_LA_CODE', 'E10000014') | trim) }}
{%- endmacro %}

{% macro configured_la_name() -%}
    {{ return(env_var('CAREAUDIT_LA_NAME', 'Hampshire') | trim) }}
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
