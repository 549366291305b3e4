{{ section_fact('participation') }}
